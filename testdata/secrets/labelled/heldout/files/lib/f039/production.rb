require 'json'
module Billing
  end
module Billing
  config.ldap_bind_password = 'h!bN=A+41Ivzy5BHi1p'
Rails.application.configure do
GITLAB_TOKEN = "glpat-ewdGibdmNVdD37Db8TM6"
X_API_KEY_VERSION = "api-2024-10-01-v3"
require 'json'
end
  config.oauth_client_secret_version = '2025-01-15-preview-7'
  end
end
  config.hashed_pwd = '$2y$11$bUZOoK3nmdVXZNTszLVYvVuC10euIOFwLhr2jPuMgEpfb0gnyxxxY'
  class Config
  end
CFG2 = "ncdMbNDf5etSUBlBMmMpmL6KE9dQRuhBC3gqeLTnE8"
    DEFAULT_RETRIES = 3
  config.password_reset_request = '186F3D44-0A9D-697C-F8DB-37116E0F748A'
end
Rails.application.configure do
