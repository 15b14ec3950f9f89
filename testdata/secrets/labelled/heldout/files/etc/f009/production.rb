require 'json'
module Billing
  class Config
ACCESSTOKEN = "09c27534695c3b19acd5960b3d32082bc6ddaac1666633668f655a7ee70817505271ff15e1c07a9823140d60d7f50d83"
PWD_SHA256 = "460eae6ddac0591e1d7dcefdd4dae0a345668b04"
module Billing
SECRETARNSUFFIX_ID = "da192d54-a9c2-f547-609f-45fde1dcf41e"
  end
Rails.application.configure do
  config.hashed_pwd = '$2y$11$CMDaGX2xLEScIGX6RCAMMzjvj1.HXh46nogBJEtwCdJxGXzuYxtFC'
STRIPESECRET = "integration-secret-do-not-ship"
  config.sa_password = 'MnE5lfcX6UcnZQUoSiveMG6FfjN'
  end
  config.hmac_secret = 'sec_fpsnszYx4rEB6pR1zFrDgT6BVMd1nb4bQQf1'
Rails.application.configure do
ACCESSTOKEN = "5f678c1e37409c3ff286d56f5c47e11740ac98c5ddb35789"
Rails.application.configure do
