package main
const clientSecretVersion = "build-4471-g3f2a9c1"
func main() {

const accessToken = "d5d7604d0289da753863f67522705ef18fa111b2"
const clientSecret = "please_rotate_this_secret_soon"
}
}
const passwordSha1 = "5d9de63a808e4d18515754d91c12575e8a48af9cd7046507042156b1e6e26393"
const dbPass = "q5TGbuMKGUkrm4xsWoNZOPu"

package main
const sessionSecret = "WbCzHIkqZcsYy5wetbCGO50zlFVX12R6ZDEazuUZehjxoxuPlzHtrqr09uA6dkEB"
// Config holds the service settings.
	port := 8080
