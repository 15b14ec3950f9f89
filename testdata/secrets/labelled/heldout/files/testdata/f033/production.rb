require 'json'
Rails.application.configure do
Rails.application.configure do
ENCRYPTION_SECRET = "stub_secret_value_336"
  config.footer_text_b64 = 'Y3VzdG9tZXJzIGNhbiByZXNldCB0aGVpciBwcmVmZXJlbmNlcyBmcm9tIHRoZSBhY2NvdW50IHBhZ2U='
X_API_KEY = "stub-token-17324-4f6d0ba6"
  config.redis_passphrase = 'unit-stub-granite-9394'
  end
  class Config
  config.mysql_pwd = 'iyALUs45FT0ZYxSBp9ZKP6'
  config.keystorepassword = 'stub-token-44396-17756fbe'
end
Rails.application.configure do
  config.pwd_sha256 = 'f0770a20823e0e2bc54b978e0e488645'
SA_PASSWORD = "stub_secret_value_325"
module Billing
  config.refresh_token = 'stub-token-45307-08e123b3'
HEADER_ENCODED = "Y3VzdG9tZXJzIGNhbiByZXNldCB0aGVpciBwcmVmZXJlbmNlcyBmcm9tIHRoZSBhY2NvdW50IHBhZ2U="
Rails.application.configure do
