// Package modules is the folder of the iOS artifact modules, one package
// each (registered in internal/scan/registry_iosmods.go). It holds no code:
// the modules' tests live here, one file per module (<module>_test.go,
// package modules_test), with their golden files and fuzz corpora under
// testdata/, so that `go test ./...` builds and links one test binary for
// all of them instead of one per module (each links SQLite). A module's
// tests are named after it: `go test ./internal/ios/modules -run '^TestSMS'`
// runs the sms module's tests. (resourceloadstats still keeps its tests
// beside its code.)
package modules
