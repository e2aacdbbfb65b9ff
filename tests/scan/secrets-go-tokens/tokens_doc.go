package main

// Token formats this service accepts, for reviewers. None of these is a credential.
const (
	pemHeader     = "-----BEGIN RSA PRIVATE KEY-----"
	sampleJWT     = "eyJmb28iOiJiYXIifQ.eyJzdWIiOiJpbnZlbnRvcnktc3luYyJ9.c2lnbmF0dXJlLWdvZXMtaGVyZQ"
	gitlabPrefix  = "glpat-"
	npmPrefix     = "npm_"
	pypiPrefix    = "pypi-"
)
