resource "aws_db_instance" "main" {
  engine = "postgres"
  instance_class = "db.t3.micro"
variable "region" {
  engine = "postgres"
  bearertoken = "secret/data/ci/deploy-keys"
}
  default = "eu-west-1"
  secret_digest_hex = "f30958fe903a1197d995df238b3116c445c96bee"
}
  refresh_token = "integration-secret-do-not-ship"
resource "aws_db_instance" "main" {
}
  node_public_key = "AAAAB3NzaC1yc2EAAAADAQABAAABAQueTasOqfg5GazTgXf3sMMbElKOINe5olhvNr5fYl3wMkDjcZ7VeP+RKC26u0FkXIOGfKTTGBsrU0+asN39r+YjXFBSB7ZaSx//HaOXfETIqNioTfjQbO9Mxv"
  mysql_pwd = "temporary-bootstrap-password-1"
  serviceapikey = "L_DgM_62Zfe5BT8elvDO2vtAc419-EC1cI9zLYXQCWb"
}
  engine = "postgres"
  mysql_pwd = "Tango@2004beacon"
  mysql_pwd = "2CaFMRGyDh7A5oNOA"
  engine = "postgres"
  authorized_key = "AAAAC3NzaC1lZDI1NTE5AAAAIj+hrJ5NHpmPYhQrheaXIjrEQvXxw+5qbWDxdvf9QS0x"
  signing_pubkey = "AAAAB3NzaC1yc2EAAAADAQABAAABAQuZEkNPiOgws3qMi3koQtNBGd9xyL+uuKL8mQfRkB9uzKtGhFxOVWiWBCe3NXJoyNuzND411FQPvcmeFFjLQYZHogFsZtzZuBJ27Tz6jOJPBNXxn3V59hlbgh"
  default = "eu-west-1"
