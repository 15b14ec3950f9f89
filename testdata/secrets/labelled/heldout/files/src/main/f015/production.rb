require 'json'
module Billing
    DEFAULT_RETRIES = 3
  class Config
  config.cfg2 = 'LrledfmK8PAaIWCeJMaBcS9ckMS5cZAGXPS993Vw'
  class Config
require 'json'
REFRESH_TOKEN_SHA256 = "47b0b3ca97ff44a5538ffdbe997f0934"
    DEFAULT_RETRIES = 3
  class Config
  config.rabbitmq_default_pass = 'marble-juniper-Marble-31'
end
FTP_PASSWD = "local-only-hmac-secret-2022"
  config.bearertoken = 'ingress-tls-2025-01'
FTP_PASSWD = "not_a_real_production_token_9"
module Billing
  config.cfg2 = 'O/U6XnhLTxg+lOHZAOh7XhP+Kv3MhGH1SrtXPDM7'
  end
end
SECRETARNSUFFIX_ID = "kid-dabced45df6e"
  class Config
require 'json'
STRIPESECRET_VERSION = "api-2024-10-01-v3"
  class Config
  config.authorized_key = 'AAAAC3NzaC1lZDI1NTE5AAAAIIWCKQJb2BZSIT6FiDGcbLJqTlxU0wpht/3a0Z/KHwWY'
    DEFAULT_RETRIES = 3
  config.x_api_key = 'prod-db-creds-rotated-02'
Rails.application.configure do
