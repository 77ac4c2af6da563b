// Command cpuprof runs the spyscan CLI in-process under the Go CPU profiler
// (spyscan itself has no -cpuprofile flag), for the bench/ scripts:
//
//	go run ./bench/cpuprof -o cpu.prof -- scan --quiet -o OUT INPUT
//	go tool pprof -top cpu.prof
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/spyscan/spyscan/internal/cli"
)

func main() {
	out := flag.String("o", "cpu.prof", "CPU profile to write")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cpuprof:", err)
		os.Exit(2)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "cpuprof:", err)
		os.Exit(2)
	}
	code := cli.Run(context.Background(), flag.Args(), os.Stdin, os.Stdout, os.Stderr)
	pprof.StopCPUProfile()
	f.Close()
	os.Exit(code)
}
