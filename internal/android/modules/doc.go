// Package modules is the folder of the Android artifact modules, one
// package each (registered in internal/scan/registry_androidmods.go). It
// holds no code: most modules' tests live here, one file per module
// (<module>_test.go, package modules_test), with their golden files
// (<module name>.<case>.golden.json) and fuzz corpora under testdata/, so
// that `go test ./...` builds and links one test binary for them instead of
// one per module. A module's tests are named after it:
// `go test ./internal/android/modules -run '^TestAppOps'` runs appops'.
// Modules whose tests reach unexported code keep them beside the code.
package modules
