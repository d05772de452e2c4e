package main

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"
)

// syncBuffer is a bytes.Buffer safe for a command goroutine and a test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testGlobals returns finalized global options writing to buffers.
func testGlobals(tb testing.TB, json bool) (GlobalOptions, *syncBuffer, *syncBuffer) {
	tb.Helper()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	g := GlobalOptions{JSON: json, LogLevel: "debug", Stdout: stdout, Stderr: stderr}
	if err := g.Finalize(); err != nil {
		tb.Fatal(err)
	}
	g.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return g, stdout, stderr
}
