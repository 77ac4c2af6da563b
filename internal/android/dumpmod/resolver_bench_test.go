package dumpmod_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/android/dumpmod"
)

// resolverTable is an Activity Resolver Table with n components in each
// of three categories (a MIME type, a scheme and an action per 10), as a
// phone with n apps prints it, followed by the rest of the package section.
func resolverTable(n int) []string {
	var b strings.Builder
	b.WriteString("Activity Resolver Table:\n")
	for _, cat := range []string{"Full MIME Types", "Schemes", "Non-Data Actions"} {
		fmt.Fprintf(&b, "  %s:\n", cat)
		for i := range n {
			if i%10 == 0 {
				fmt.Fprintf(&b, "      key.number%d:\n", i)
			}
			fmt.Fprintf(&b, "        %07x com.example.app%d/.ui.Activity%d\n", i, i, i)
		}
		b.WriteString("\n")
	}
	b.WriteString("Receiver Resolver Table:\n  Non-Data Actions:\n")
	for i := range n {
		fmt.Fprintf(&b, "      action.%d:\n        %07x com.example.app%d/.Receiver\n", i, i, i)
	}
	b.WriteString("\nPackages:\n")
	for i := range n {
		fmt.Fprintf(&b, "  Package [com.example.app%d] (%x):\n    userId=%d\n    versionName=1.0\n", i, i, 10000+i)
	}
	return strings.Split(b.String(), "\n")
}

// BenchmarkResolver5000 feeds the package section of a phone with 5,000
// apps to one resolver table parser, as dumpsys_activities does on the
// shared pass.
func BenchmarkResolver5000(b *testing.B) {
	lines := resolverTable(5000)
	b.ReportAllocs()
	for range b.N {
		r := &dumpmod.Resolver{Title: "Activity Resolver Table:"}
		for _, l := range lines {
			r.Line(l)
		}
		if len(r.Entries) == 0 {
			b.Fatal("no entries")
		}
	}
}
