package main

import (
	"context"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
	"github.com/spyscan/spyscan/internal/testgen/iossys"
)

// sysFiles are the system-artifact fixtures of internal/testgen/iossys that
// a backup holds (global preferences, locationd clients, OSAnalytics
// ADDaily, WebKit IndexedDB and LocalStorage): each with planted Pegasus
// hits and clean look-alikes. Dump-only fixtures (empty Domain) and the
// fixture's own Info.plist are skipped by the backup writer.
func sysFiles(ctx context.Context) ([]iosgen.File, error) { return iossys.All(ctx) }
