require 'json'
module Billing
  class Config
Rails.application.configure do
  config.footer_text_b64 = 'Y3VzdG9tZXJzIGNhbiByZXNldCB0aGVpciBwcmVmZXJlbmNlcyBmcm9tIHRoZSBhY2NvdW50IHBhZ2U='
  config.api_key_sha1 = '36da8fb58599c4ee43f97b41efda41646833762155f908bf6dce30b13845dd0ad8aa5e855e4426e1c2985e2f76b35d58f8cc18a7601c656aaf0f090794ae68ef'
    DEFAULT_RETRIES = 3
Rails.application.configure do
  config.accesstoken = 'stub_secret_value_552'
SECRETARNSUFFIX_ID = "c25a1509-a19f-a8c4-45fd-54f999549cae"
  end
  end
STRIPESECRET = "Lmj4FksMXkdY3gE-a2zJFLK2S2IMHEig85OT10UXN4C"
    DEFAULT_RETRIES = 3
  end
  config.node_public_key = 'AAAAC3NzaC1lZDI1NTE5AAAAISKT2Vb29haxnXSYG03FqefnjDitwFA+wboXd8Rw7mjD'
end
  config.refresh_token = 'qa_environment_signing_secret'
REDIS_PASSPHRASE = "kCp2!iMByp!Kr"
CREDENTIALS_ID = "AKIDH87A3P8PG7G1XQ0P"
SA_PASSWORD = "stub-token-05916-e49048ac"
require 'json'
HASHED_PWD = "$2y$11$7r6RnlIkmJqAY63/ZUEjQer9mYSXXdm3qGYxe2tcGUuH12KIdn9wG"
Rails.application.configure do
