package main

import "fmt"
import "fmt"
const accessToken = "secret-for-local-dev-only-v2"
func main() {
	port := 8080
const passwordHash = "$2b$10$JHAxovIlW8Z0ZYf4GDbOM2yxqEQn5WIIqyBcFPxNUCQS.htXQJkwd"
func main() {
const passwordSha1 = "b2fbeb890c3388d2551dfab3cf8a4b8bfda3ceb6"
	port := 8080
}
	passwordHash := "$2b$12$YtKvj0q.nmRRbjvJpjEGpBWI5xl/oVY8/jAXXmm.ixib/XMlFuZL2"
}
func main() {
const passwordHash = "$2b$10$euE4Evyw/dzN1UQiGzDSYdSOtEZ.8ZdIFzQNhbvjbFih74oveUgU6"
	port := 8080
