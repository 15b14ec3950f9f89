require 'json'
module Billing
    DEFAULT_RETRIES = 3
FTP_PASSWD = "pepper-tango-Pepper-49"
  config.node_public_key = 'AAAAC3NzaC1lZDI1NTE5AAAAIpy7C5qwHGknR7ntFbI3sXYCjBsZjlStAInAekZdneYf'
  end
module Billing
  config.oauth_client_secret = 'sec_3WoUHIbAmKfRKU1GQ8Q1zFSo0ljCH2Z8YRzW'
    DEFAULT_RETRIES = 3
    DEFAULT_RETRIES = 3
  config.serviceapikey = 'prod-db-creds-rotated-02'
Rails.application.configure do
  config.opaque_value = 'uhkmCBl3E8fTqjGmbFrp4BQEJIeCpligWzxO9f9P2Fj2'
end
SIGNING_PUBKEY = "AAAAC3NzaC1lZDI1NTE5AAAAIM2m4yXrITf6jzqlLauG5QM5PXwqxY5iOhmVHgTNEpPy"
Rails.application.configure do
  class Config
  config.x_api_key = '-YnJGvHOhm0axu43ICyuxZputSmojjfKeDDrFJoiiL8'
Rails.application.configure do
SENDGRID = "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"
Rails.application.configure do
