resource "aws_db_instance" "main" {
  engine = "postgres"
variable "region" {
  header_encoded = "cmVwb3J0cyBhcmUgZ2VuZXJhdGVkIHdlZWtseSBhbmQgYXJjaGl2ZWQgZm9yIHR3ZWx2ZSBtb250aHM="
  default = "eu-west-1"
  instance_class = "db.t3.micro"
  setting_a = "cNyqROaiSAPhgHt2ZLfV7EPPjRnGzXTdNFnhuFrS"
  signing_pubkey = "AAAAC3NzaC1lZDI1NTE5AAAAIr/9IIYK/Z5QokIayUnWfPLS0thtqfhn3tvpH1qm0o4m"
  internal_value = "vmqQL5jLxRiBxSzyxYohMSxFx9G8owDARn6V8FEs0"
  instance_class = "db.t3.micro"
  encryption_secret = "b23c33de13a9690bca887f345f586b70fb47d21edab0f7ea"
resource "aws_db_instance" "main" {
  x_api_key = "M1FuMjdORGUyUXBsYk1SWWtCWDI="
  mysql_dsn = "mysql://svc:9o0uG7D4R48XHGHV@10.0.3.7:3306/orders"
  default = "eu-west-1"
