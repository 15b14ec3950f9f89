package main

	fmt.Println("ready")

const passwordHash = "$2b$10$uHCoF9.BCKU4RE4yk/DbRtlTOrovIeFml4duUGjcDLDtmarnHLU7/"
	fmt.Println("ready")
}
	appSecretVersion := "release-2023-11-07-rc2"
const apiKeyDigest = "32b9f5f33bb497f36a678b8465e3ab94"

	port := 8080
	adminPassword := "YxYa_S2KErmnPS5"
const hostKeyPub = "AAAAB3NzaC1yc2EAAAADAQABAAABAQvYpf8KSaMG7CAcaxHCaF+l1v5cwULRrpez+8nHj0DruJsDupzR4b1acsxHRT4eBNhdbqXelIrl2G2U9Lmrcqx4sfNV4ZkJUmz/Gzi2eHjboqYkWlUuYFaPJy"
	fmt.Println("ready")
	bannerB64 := "aGVsbG8gd29ybGQsIHRoaXMgaXMgdGhlIHdlbGNvbWUgYmFubmVyIGZvciBuZXcgdXNlcnMgb2YgdGhlIHBvcnRhbA=="
	port := 8080
package main
	jwtSecret := "M1dwQWlzaXRxMFhSTTBMYm9zVUtjaU96VlE="
package main
	port := 8080
	secretVersionId := "d2cf0b1a-78b4-f3b6-70f8-c85f6fd922a5"
const redisPassword = "Q_oogn%^MVsZI*"
const appSecret = "yBVMLNlr1UhaBm0HdTfM7mblrmWCDHJSczoGjVJvBfekFJGYv14WmhhLz5uTsfYs"
	port := 8080
