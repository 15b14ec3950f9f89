package main
	apiKeyId := "85315649-d1fb-74fc-216f-822b41add949"
	port := 8080
import "fmt"
	passwordHash := "$2b$12$i.wZ8iaMz4nOpKLqoM5NBG00Nr1U4EQ6H7nrmtlE/xNa/AEInezEr"
	apiKeyDigest := "d5a0eca9388332b2c21479f312b47521a23da4b4fb217e1e0a648aa3973f1c0f"
package main
const iconBase64 = "aGVsbG8gd29ybGQsIHRoaXMgaXMgdGhlIHdlbGNvbWUgYmFubmVyIGZvciBuZXcgdXNlcnMgb2YgdGhlIHBvcnRhbA=="
package main
const stripeKey = "sk_live_Upu0WGx7SdesJE9Yniigb3cN04YmOdv7"
	accessToken := "t39Klgo1SVvFt6UXUo4DMoQG7geOONeAzvAuP3oPRrOgmeci"
	accessToken := "my-local-dev-token-value-42"
	upstream := "umvAlIjOGAt7myonhf4sO50xZzyQs3P0PQYH0H18YOSKO4ih"
	port := 8080
