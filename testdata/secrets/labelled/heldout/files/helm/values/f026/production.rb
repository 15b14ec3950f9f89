require 'json'
module Billing
  class Config
  config.stripesecret_version = 'rel-8812-b7e1f0d2'
Rails.application.configure do
REDIS_PASSPHRASE = "Marble@2026beacon"
Rails.application.configure do
Rails.application.configure do
  config.webhook_signing_secret = 'cf3f23b90c39e4d66635a207ad62c51eea77f75d4a1025a68ef7cd60942d9baf4dd2ddf717c18ca3e07eab544bb5fb0e'
WEBHOOK_SIGNING_SECRET = "F14f59y8fH5lEbjcXpEhhKXCafaLxjfNYx2vLwcKQhN"
module Billing
Rails.application.configure do
RABBITMQ_DEFAULT_PASS = "Marble-glacier-walnut-34"
end
Rails.application.configure do
