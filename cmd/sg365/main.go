package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signalContext(context.Background(), stderr)
	defer stop()
	g := &GlobalOptions{Stdout: stdout, Stderr: stderr}
	root := newRootCommand(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	code := exitCode(err)
	if err != nil {
		reportError(stderr, err, code)
	}
	return code
}

// duplicateSignalWindow is how soon after the first signal another one is
// taken as a duplicate delivery rather than a second request.
const duplicateSignalWindow = time.Second

// signalContext returns a context cancelled by the first SIGINT or SIGTERM,
// so commands can stop cleanly. A second signal exits at once with
// exitInterrupted, for a command that does not stop. stop releases the
// signal handler and waits for its goroutine.
func signalContext(parent context.Context, stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		select {
		case sig := <-sigs:
			fmt.Fprintf(stderr, "sg365: received %v, stopping (send it again to exit now)\n", sig)
			cancel()
		case <-done:
			return
		}
		first := time.Now()
		for {
			select {
			case <-sigs:
				// timeout(1) and some supervisors signal both the process and
				// its group, so one request can arrive twice at once.
				if time.Since(first) < duplicateSignalWindow {
					continue
				}
				fmt.Fprintln(stderr, "sg365: exiting without cleanup")
				os.Exit(exitInterrupted)
			case <-done:
				return
			}
		}
	})
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		wg.Wait()
		cancel()
	}
}
