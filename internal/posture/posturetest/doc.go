// Package posturetest runs rule packs against fixtures, for the tests of
// posture and of the packages whose packs it evaluates (userguard,
// deviceguard). It is imported only by tests, like net/http/httptest.
//
// A pack's fixtures are a clean inventory every rule passes and, for each
// rule, cases that make it fail. Engine compiles a pack once per test
// binary; Inventory and Clone build the inputs; CheckResult, CheckAllPass,
// CheckRules and CheckCoverage assert on reports; RunWeaknesses drives the
// "plant one weakness, only its rule fails" cases. Failures name the rule
// and, through the subtest name, the fixture case.
package posturetest
