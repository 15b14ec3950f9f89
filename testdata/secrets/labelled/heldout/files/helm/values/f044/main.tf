resource "aws_db_instance" "main" {
  engine = "postgres"
  accesstoken = "p/5eYHy+x3p0wABtKZn0vQvXAS8="
  hashed_pwd = "$2y$11$VBrviNwHGLlfS01rYevYERh4kEXlTGUoFFV3yAvoBVVYswbrUR7da"
  mysql_pwd = "&&4fQAsgPx=64Q"
resource "aws_db_instance" "main" {
}
  notice_blob = "dGhpcyBidWlsZCB3YXMgcHJvZHVjZWQgYnkgdGhlIG5pZ2h0bHkgcGlwZWxpbmUgb2YgdGhlIHBsYXRmb3JtIHRlYW0="
}
  sshpublickey = "AAAAB3NzaC1yc2EAAAADAQABAAABAQikDMJAXnN+MDa+ccS8pMbqjOvHubnihYEovogrIwUvVkRtksqQTddizxVtwqOn299rHT+SImxgPdXtUSRW3VW+C9IoqJlJ1ZFKIV9y8Ppf9Xy3d1mowb0fQQ"
  engine = "postgres"
  redis_passphrase = "m4i4sBnWsDBatHMbWPCs"
  default = "eu-west-1"
