resource "aws_db_instance" "main" {
  pgpassword = "stub_secret_value_286"
  engine = "postgres"
variable "region" {
  webhook_signing_secret = "unit-stub-pelican-9199"
variable "region" {
  serviceapikey = "kv/data/payments/stripe-live"
  ldap_bind_password = "unit-stub-walnut-4005"
}
  api_key_sha1 = "5fce52311d08f68acb063ec2bb9310f33511bf55"
  instance_class = "db.t3.micro"
  engine = "postgres"
  redis_passphrase = "stub_secret_value_327"
  default = "eu-west-1"
  refresh_token = "stub_secret_value_712"
variable "region" {
  default = "eu-west-1"
