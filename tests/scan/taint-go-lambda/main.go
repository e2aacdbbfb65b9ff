// Package main is a DNS diagnostics function behind API Gateway.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

var hostname = regexp.MustCompile(`^[a-z0-9.-]{1,253}$`)

type lookupRequest struct {
	Host  string `json:"host"`
	Owner string `json:"owner"`
	Limit string `json:"limit"`
}

func handleRequest(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	var in lookupRequest
	if err := json.Unmarshal([]byte(req.Body), &in); err != nil {
		return events.APIGatewayProxyResponse{StatusCode: 400}, nil
	}
	out, _ := exec.Command("sh", "-c", "dig +short "+in.Host).Output()
	if hostname.MatchString(in.Host) {
		exec.Command("sh", "-c", "host "+in.Host).Run()
	}
	exec.Command("dig", "+short", in.Host).Run()
	history, _ := recentLookups(ctx, in.Owner)
	limit, err := strconv.Atoi(in.Limit)
	if err == nil {
		_, _ = db.ExecContext(ctx, fmt.Sprintf("DELETE FROM lookups WHERE id < %d", limit))
	}
	body, _ := json.Marshal(map[string]interface{}{"answer": string(out), "history": history})
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: string(body)}, nil
}

func main() {
	lambda.Start(handleRequest)
}
