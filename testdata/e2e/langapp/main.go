// The Go program of the langapp image fixture: it only has to link its vendored dependency.
package main

import (
	"fmt"

	"golang.org/x/text/language"
)

func main() {
	fmt.Println(language.Default())
}
