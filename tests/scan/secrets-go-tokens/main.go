package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// signingKey signs the short-lived tokens this function hands to the inventory service.
const signingKey = `-----BEGIN RSA PRIVATE KEY-----
1EMOx8KkjF78DPBQT/M9DUBIXKw+V3l35B+MrAKjVqy2yc6knVWw+InhKPSDVVWQ
9o4rM8Hc7vF1/XI15NTXcX+6bsMrnh5uM9gEDNtogdv5b9i0fVPYA8I5+HHuv5c4
TQwNXRnuQmpypb1IoTRo6+oIkot+tDFfREYkTie/Mw3gX4vRZldh4s5F9DM4e4bM
Hp3H2V6BQgn+FantzVRDSaXccHG2/DWTem+NmRxa5Crr2kejJS9AN31zRwKm/QvR
y0qGHePtLRRM62adhYlo396eBHqL3z7w5AutB4CKebzg5Ruh+L7+rkZaLYma5gwL
jifBPFuKQVIuPlmLkwIq9/U1E3hw73Lpj8qaIGU1fepiTrduu60ChWBe4vZYqKAx
cwflK+Y9BbHYsw7rcK+yhNl36DlBmu73+qDe6CeSKlX40YIetjdFu/934Y3X/Twy
hQ+fzNeLn7r1Z+IzGsoCKxP/b7J0V9gifxJTsdKFoSiP9nLVHTRLsLGKiDwSuFy1
01KsCzPTemrqgirwHk8l+1gV0hvOPgjlr4g+gFCQ0qv7yBHouQAyNQAFF4o5gHA7
1OtYeDXgxa7YAmG+CJdyRK/2qXFEFZczNQhJiINX4OOVGkj8Gkac8YE4vV2v7QmK
65jf8wq8NfAcOQpTIrWpFzcZUyNd86cvcKxqo7XR5DeTFxCglleHnR7+zaJzb66S
6SKLt+vL2ci1iyELP3UjyDIVBvQATAxLAmucnfgFw2AK0J3f8oORpvt9AH+9FdHo
-----END RSA PRIVATE KEY-----`

// verifyKey checks tokens coming back; public, so fine to ship.
const verifyKey = `-----BEGIN PUBLIC KEY-----
omJ1WckWf7asvG2qAhCLkIzxnX6sxy9zqITktP/w+hnEDTWyuE2B4KY9U5WoRExL
XQI5idkQgSSChqbjLinJ6nzKq8u8DBY0sCcn3FP4YjOHgCZhjKnKvYBdCsOFFTr0
3FMhFNjceHzD3c7zBCY9RXHEHPlYmvbzRn2XC0hb3MgZxK18Px3nSU/e2nIEMdKy
MyyDDeRbm/ZzLi1PnzN1RRzpZJrnyFjC+UH6n2PD3c03CIvioN2dBoXQxVnEcdFd
0/gOajU4n2PwITXiCWkwW21zTxSvXbn01WvTRUqC7TBL6mbz+k8EQdqiWVVEMRWk
-----END PUBLIC KEY-----`

// serviceToken authenticates this function to the inventory API.
var serviceToken = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InN2Yy0yMDI0In0.eyJpc3MiOiJhdXRoLmFjbWUuaW50ZXJuYWwiLCJzdWIiOiJpbnZlbnRvcnktc3luYyIsImF1ZCI6ImludmVudG9yeSIsImlhdCI6MTczMzAxMTIwMH0.Es8e9FhstPAjzlPKMFCakyxi_jUloQcfx0OljgNdjCYpc1vYMJqVIvLQKt4CST4LBZWm6i6X89qyhxrrhbuaYu"

var gitlabToken = "glpat-V8GEpAj08dNPu0DmtFQu"

func handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	block, _ := pem.Decode([]byte(signingKey))
	if block == nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("no signing key")
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, err
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Body: "ok"}, nil
}

func main() {
	lambda.Start(handle)
}
