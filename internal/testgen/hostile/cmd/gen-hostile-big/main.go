// Command gen-hostile-big writes the large hostile inputs of bench/hostile.sh
// (each at most about 100 MB on disk) into a folder, one subfolder per
// case:
//
//	go run ./internal/testgen/hostile/cmd/gen-hostile-big -o /tmp/hostile-big
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spyscan/spyscan/internal/testgen/hostile"
)

func main() {
	out := flag.String("o", "hostile-big", "output folder")
	flag.Parse()
	for _, c := range hostile.Big() {
		dir := filepath.Join(*out, c.Name)
		if _, _, err := c.Build(dir); err != nil {
			fmt.Fprintln(os.Stderr, "gen-hostile-big:", err)
			os.Exit(1)
		}
		fmt.Println(dir)
	}
}
