resource "aws_db_instance" "main" {
  engine = "postgres"
  hashed_pwd = "$2y$11$HZ1Q2b0ZBIOulHK2zq4Ic4rQkRcVemG7I7HkaMhl.4qFElXwmrLUe"
  init_value = "c0SjMI0sQLj1TX3W6tXucXOtqQUmcoKcA"
  engine = "postgres"
resource "aws_db_instance" "main" {
  hashed_pwd = "$2y$11$TdKqFIA579PwqijMf6YiYy7ZyEY2ibZFPAjU6pyW93w5uNMpNfrEq"
  x_api_key = "2h35l0a+gSmfPu8Y/G23NEBgr8Y="
  pwd_sha256 = "ec44471545ad94b805cf98a411aac1b6da457a7a"
  default = "eu-west-1"
variable "region" {
  sa_password = "oHs-LAi5+9ylj"
}
  instance_class = "db.t3.micro"
  serviceapikey_version = "rel-8812-b7e1f0d2"
}
}
  sendgrid = "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"
  notice_blob = "bWFpbnRlbmFuY2Ugd2luZG93IHN0YXJ0cyBldmVyeSBzdW5kYXkgYXQgdHdvIGluIHRoZSBtb3JuaW5nIHV0Yw=="
  instance_class = "db.t3.micro"
}
  notice_blob = "cmVwb3J0cyBhcmUgZ2VuZXJhdGVkIHdlZWtseSBhbmQgYXJjaGl2ZWQgZm9yIHR3ZWx2ZSBtb250aHM="
  x_api_key = "ac9385214f822a7b6a64a89cef309bf358cbb0635b1b6985"
variable "region" {
  default = "eu-west-1"
