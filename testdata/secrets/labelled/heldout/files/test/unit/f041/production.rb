require 'json'
module Billing
  class Config
  class Config
ENCRYPTION_SECRET = "secrets/stripe/webhook-2025"
    DEFAULT_RETRIES = 3
FOOTER_TEXT_B64 = "dGhpcyBidWlsZCB3YXMgcHJvZHVjZWQgYnkgdGhlIG5pZ2h0bHkgcGlwZWxpbmUgb2YgdGhlIHBsYXRmb3JtIHRlYW0="
  config.password_reset_request = '5F67E964-E563-583C-E0C5-D10E1FAF7E14'
MOTD_BASE64 = "cmVwb3J0cyBhcmUgZ2VuZXJhdGVkIHdlZWtseSBhbmQgYXJjaGl2ZWQgZm9yIHR3ZWx2ZSBtb250aHM="
Rails.application.configure do
FOOTER_TEXT_B64 = "bWFpbnRlbmFuY2Ugd2luZG93IHN0YXJ0cyBldmVyeSBzdW5kYXkgYXQgdHdvIGluIHRoZSBtb3JuaW5nIHV0Yw=="
PASSWORD_RESET_REQUEST = "BD968374-6D2C-108E-8906-28F12672E56D"
require 'json'
  config.pgpassword = 'unit-stub-thistle-5104'
  config.secretarnsuffix_id = '981ce1af-620b-6dac-62e4-812445ccad35'
  config.node_public_key = 'AAAAB3NzaC1yc2EAAAADAQABAAABAQflWo1w9dZBcjGzDE/xjo+ye7g2HIMo/bb6QZ6hwOhFxhM6ouQbZGoHeYxxdSNFRHfJBmzUTsi3/dpzqrRFMvX4ub/gCyFwWM+5IGZPMszCV4bsjlp7WIMUaR'
  class Config
    DEFAULT_RETRIES = 3
  config.oauth_client_secret = 'stub-token-94630-fa600b32'
Rails.application.configure do
