module example.com/app

go 1.19

require (
	github.com/sirupsen/logrus v1.9.0
	golang.org/x/sys v0.0.0-20220715151400-c0bba94af5f8 // indirect
	"github.com/gorilla/mux" v1.8.0
)

require github.com/pkg/errors v0.9.1

require example.com/internal/tools v0.1.0

require github.com/old/lib v1.0.0

replace github.com/old/lib v1.0.0 => github.com/new/lib v1.2.3

replace example.com/internal/tools => ../tools

exclude github.com/sirupsen/logrus v1.8.0

retract v0.0.1

require github.com/broken
