// Package language stands in for golang.org/x/text/language in the fixture's vendor tree:
// the module path and version recorded in the binary's build info are what is tested.
package language

// Default names the fixture's default language tag.
func Default() string { return "und" }
