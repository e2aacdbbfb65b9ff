module example.com/feed-ingest

go 1.21

require (
	github.com/aws/aws-lambda-go v1.41.0
	github.com/gin-gonic/gin v1.9.0
)

require (
	github.com/gin-contrib/sse v0.1.0 // indirect
	golang.org/x/net v0.7.0 // indirect
	golang.org/x/sys v0.5.0 // indirect
)

// Pinned above the HTTP/2 rapid-reset fix until gin's next release pulls it in.
replace golang.org/x/net => golang.org/x/net v0.17.0
