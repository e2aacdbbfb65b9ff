//! Go flows: lambda.Start handlers, events types, net/http handlers.

mod support;
use support::scan;

#[test]
fn api_gateway_request_to_sh_c_and_sql() {
    let src = r#"package main

import (
	"context"
	"database/sql"
	"fmt"
	"os/exec"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

var db *sql.DB

func handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	host := req.QueryStringParameters["host"]
	out, err := exec.Command("sh", "-c", "ping -c 1 "+host).Output()
	exec.Command("ping", "-c", "1", host).Run()
	q := fmt.Sprintf("SELECT * FROM users WHERE name = '%s'", req.PathParameters["name"])
	db.Query(q)
	db.Query("SELECT * FROM users WHERE name = $1", req.PathParameters["name"])
	id, _ := strconv.Atoi(req.PathParameters["id"])
	db.Exec(fmt.Sprintf("DELETE FROM users WHERE id = %d", id))
	_ = out
	return events.APIGatewayProxyResponse{StatusCode: 200}, err
}

func main() {
	lambda.Start(handle)
}
"#;
    assert_eq!(scan(&[("main.go", src)]), ["fnw-scan-inj-command main.go:18", "fnw-scan-inj-sql main.go:21"]);
}

#[test]
fn s3_event_range_path_and_unmarshal() {
    let src = r#"package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

type Msg struct{ URL string }

func handler(ctx context.Context, e events.SQSEvent) error {
	for _, r := range e.Records {
		var m Msg
		if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
			return err
		}
		http.Get(m.URL)
		os.ReadFile("/data/" + filepath.Base(m.URL))
		os.Open("/data/" + m.URL)
	}
	return nil
}

func main() { lambda.Start(handler) }
"#;
    assert_eq!(scan(&[("cmd/fn/main.go", src)]), ["fnw-scan-inj-ssrf cmd/fn/main.go:22", "fnw-scan-inj-path cmd/fn/main.go:24"]);
}

#[test]
fn same_package_helper_and_allowlist_map() {
    let files = [
        (
            "fn/main.go",
            "package main\n\nimport \"github.com/aws/aws-lambda-go/lambda\"\n\nvar allowed = map[string]bool{\"ls\": true}\n\nfunc h(e map[string]string) error {\n\trun(e[\"cmd\"])\n\tc := e[\"tool\"]\n\tif !allowed[c] {\n\t\treturn nil\n\t}\n\trun(c)\n\treturn nil\n}\n\nfunc main() { lambda.Start(h) }\n",
        ),
        ("fn/run.go", "package main\n\nimport \"os/exec\"\n\nfunc run(c string) {\n\texec.Command(c).Run()\n}\n"),
    ];
    assert_eq!(scan(&files), ["fnw-scan-inj-command fn/run.go:6"]);
}

#[test]
fn http_handler_html_and_escape() {
    let src = r#"package main

import (
	"fmt"
	"html"
	"net/http"
)

func hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	fmt.Fprintf(w, "<h1>Hello %s</h1>", name)
	fmt.Fprintf(w, "<h1>Hello %s</h1>", html.EscapeString(name))
	fmt.Fprintf(w, "plain %s", name)
}

func main() {
	http.HandleFunc("/hello", hello)
}
"#;
    assert_eq!(scan(&[("web/main.go", src)]), ["fnw-scan-inj-html web/main.go:11"]);
}

#[test]
fn anonymous_lambda_start() {
    let src = "package main\n\nimport (\n\t\"os/exec\"\n\t\"github.com/aws/aws-lambda-go/lambda\"\n)\n\nfunc main() {\n\tlambda.Start(func(e map[string]interface{}) error {\n\t\treturn exec.Command(e[\"bin\"].(string)).Run()\n\t})\n}\n";
    assert_eq!(scan(&[("main.go", src)]), ["fnw-scan-inj-command main.go:10"]);
}

#[test]
fn comma_ok_allowlist_guard() {
    let src = "package main\n\nimport (\n\t\"os/exec\"\n\t\"github.com/aws/aws-lambda-go/lambda\"\n)\n\nvar tools = map[string]bool{\"date\": true}\n\nfunc h(e map[string]string) error {\n\tt := e[\"tool\"]\n\tif _, ok := tools[t]; !ok {\n\t\treturn nil\n\t}\n\texec.Command(t).Run()\n\tu := e[\"other\"]\n\t_, ok := tools[u]\n\tif !ok {\n\t\treturn nil\n\t}\n\texec.Command(u).Run()\n\treturn exec.Command(e[\"x\"]).Run()\n}\n\nfunc main() { lambda.Start(h) }\n";
    assert_eq!(scan(&[("main.go", src)]), ["fnw-scan-inj-command main.go:22"]);
}
