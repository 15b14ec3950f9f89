resource "aws_db_instance" "main" {
  encryption_secret = "ae712f2b310acd53335a5daefb8190a54c6bd95df5c3c22f95e60a7d41fa02e29e08076412c35abeb7c9acd9ae74a5a6"
}
  engine = "postgres"
  redis_passphrase = "glacier-Glacier-beacon-64"
  default = "eu-west-1"
  sa_password = "DS@SjYz#OI&uM2c"
  keystorepassword = "jCAorYrNPaglftM9DWLTPc6Mb1ao"
  default = "eu-west-1"
}
  refresh_token = "3194c3bf9db00e157a53d115665ddb24051dcaedb78c7172"
  default = "eu-west-1"
