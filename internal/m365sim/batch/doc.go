// Package batch implements the request and response bodies of Microsoft
// Graph JSON batching (POST /$batch) for the emulator.
// https://learn.microsoft.com/en-us/graph/json-batching
//
// Parse reads {"requests":[…]} and enforces the documented rules: at most
// 20 requests; id, method and url required; ids unique without regard to
// case; url relative to the version root; a body only with a headers object
// that names its Content-Type; dependsOn naming ids of the same batch
// without a cycle. A body is a JSON value for JSON content types and a
// base64 string otherwise; Request.BodyBytes returns the bytes the
// sub-request should receive.
//
// Order groups the requests into waves: a wave's requests may run at the
// same time, and each request's dependencies are in earlier waves.
// Dependents lists the requests that must answer 424 Failed Dependency
// when one fails. Run executes a batch with those rules through a caller's
// function, and WriteResponses writes {"responses":[…]}, base64-encoding
// bodies whose Content-Type is not JSON.
//
// The package knows nothing about routing or the tenant: running a
// sub-request is the caller's job.
//
// # Not implemented yet
//
//   - Graph's texts for a malformed batch are not documented except for
//     "Invalid batch payload format." (observed); the more specific
//     messages here are our own, and so is the 424 response body.
//   - The 4 MB request size limit some guides mention is not enforced;
//     wrap the body in http.MaxBytesReader.
//   - Graph's tip that a batch "should be either fully sequential or fully
//     parallel" is reported by Shape, not enforced.
package batch
