package batch

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// docsExample is the request from the json-batching page.
const docsExample = `{
  "requests": [
    {"id": "1", "method": "GET", "url": "/me/memberOf"},
    {"id": "2", "method": "GET", "url": "/me/planner/tasks"},
    {"id": "3", "method": "DELETE", "url": "/groups/0e226165-c685-41ce-8bfc-df8360ab325d"},
    {"id": "4", "url": "/users/161ab652-cdbc-490d-82a4-0ada1f0db247/getPasswordSingleSignOnCredentials",
     "method": "POST", "body": {}, "headers": {"Content-Type": "application/json"}},
    {"id": "5", "url": "users?$select=id,displayName,userPrincipalName&$filter=city eq null&$count=true",
     "method": "GET", "headers": {"ConsistencyLevel": "eventual"}}
  ]
}`

func TestParseDocsExample(t *testing.T) {
	b, err := Parse(strings.NewReader(docsExample))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(b.Requests) != 5 {
		t.Fatalf("%d requests, want 5", len(b.Requests))
	}
	r4 := b.Get("4")
	if r4.Method != "POST" || string(r4.Body) != "{}" || r4.Header("content-type") != "application/json" {
		t.Errorf("request 4 = %+v", r4)
	}
	if body, err := r4.BodyBytes(); err != nil || string(body) != "{}" {
		t.Errorf("BodyBytes = %q, %v", body, err)
	}
	r5 := b.Get("5")
	if r5.Path() != "/users?$select=id,displayName,userPrincipalName&$filter=city eq null&$count=true" {
		t.Errorf("Path = %q", r5.Path())
	}
	if r5.Header("CONSISTENCYLEVEL") != "eventual" || r5.Body != nil {
		t.Errorf("request 5 = %+v", r5)
	}
	if body, err := b.Get("1").BodyBytes(); body != nil || err != nil {
		t.Errorf("BodyBytes without body = %q, %v", body, err)
	}
}

func TestParseBodies(t *testing.T) {
	b, err := Parse(strings.NewReader(`{"requests":[
		{"id":"mime","method":"POST","url":"/me/messages","headers":{"content-type":"text/plain"},"body":"RnJvbTogYQ=="},
		{"id":"url-safe","method":"PUT","url":"/me/drive/root:/a.bin:/content","headers":{"Content-Type":"application/octet-stream"},"body":"-_8"},
		{"id":"json-string","method":"PATCH","url":"/me","headers":{"Content-Type":"application/json; charset=utf-8"},"body":"plain"},
		{"id":"null-body","method":"GET","url":"/me","body":null},
		{"id":"lower","method":"patch","url":"me","headers":{"Content-Type":"application/merge-patch+json"},"body":{"a":[1,2]}}
	]}`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	for _, tc := range []struct {
		id, want string
	}{
		{"mime", "From: a"},
		{"url-safe", "\xfb\xff"},
		{"json-string", `"plain"`},
		{"null-body", ""},
		{"lower", `{"a":[1,2]}`},
	} {
		got, err := b.Get(tc.id).BodyBytes()
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: BodyBytes = %q, %v; want %q", tc.id, got, err, tc.want)
		}
	}
	if r := b.Get("LOWER"); r == nil || r.Method != "PATCH" || r.Path() != "/me" {
		t.Errorf("case-insensitive Get / method / path: %+v", r)
	}
}

func TestParseErrors(t *testing.T) {
	reqs := func(n int) string {
		var parts []string
		for i := range n {
			parts = append(parts, fmt.Sprintf(`{"id":"%d","method":"GET","url":"/me"}`, i))
		}
		return `{"requests":[` + strings.Join(parts, ",") + `]}`
	}
	for _, tc := range []struct {
		name, body, want string
	}{
		{"not json", `{"requests":`, "Invalid batch payload format. The body is not a JSON object"},
		{"array", `[]`, "The body is not a JSON object"},
		{"trailing data", `{"requests":[]} x`, "The body is not a JSON object"},
		{"no requests", `{}`, "The required property 'requests' is missing."},
		{"requests not array", `{"requests":{}}`, "'requests' must be an array."},
		{"21 requests", reqs(21), "Maximum number of requests in a batch is 20."},
		{"request not object", `{"requests":[1]}`, "requests[0] must be a JSON object."},
		{"no id", `{"requests":[{"method":"GET","url":"/me"}]}`, "requests[0] is missing the required property 'id'."},
		{"numeric id", `{"requests":[{"id":1,"method":"GET","url":"/me"}]}`, "requests[0]: 'id' must be a string."},
		{"empty id", `{"requests":[{"id":" ","method":"GET","url":"/me"}]}`, "requests[0]: 'id' must not be empty."},
		{"duplicate id", `{"requests":[{"id":"a","method":"GET","url":"/me"},{"id":"A","method":"GET","url":"/me"}]}`,
			"The id 'A' of requests[1] is already used by requests[0]"},
		{"no method", `{"requests":[{"id":"a","url":"/me"}]}`, "missing the required property 'method'"},
		{"bad method", `{"requests":[{"id":"a","method":"HEAD","url":"/me"}]}`, "has method 'HEAD'"},
		{"no url", `{"requests":[{"id":"a","method":"GET"}]}`, "missing the required property 'url'"},
		{"absolute url", `{"requests":[{"id":"a","method":"GET","url":"https://graph.microsoft.com/v1.0/users"}]}`, "has the absolute url"},
		{"scheme-relative url", `{"requests":[{"id":"a","method":"GET","url":"//evil.test/users"}]}`, "has the absolute url"},
		{"bad url", `{"requests":[{"id":"a","method":"GET","url":"/users/%zz"}]}`, "has an invalid url"},
		{"headers not strings", `{"requests":[{"id":"a","method":"GET","url":"/me","headers":{"x":1}}]}`, "'headers' must be an object of string values."},
		{"body without headers", `{"requests":[{"id":"a","method":"POST","url":"/me","body":{}}]}`, "has a body but no Content-Type"},
		{"body without content type", `{"requests":[{"id":"a","method":"POST","url":"/me","headers":{"Accept":"x"},"body":{}}]}`, "has a body but no Content-Type"},
		{"binary body not string", `{"requests":[{"id":"a","method":"PUT","url":"/x","headers":{"Content-Type":"image/png"},"body":{}}]}`, "must be a base64 string"},
		{"binary body not base64", `{"requests":[{"id":"a","method":"PUT","url":"/x","headers":{"Content-Type":"image/png"},"body":"**"}]}`, "body is not valid base64"},
		{"dependsOn not array", `{"requests":[{"id":"a","method":"GET","url":"/me","dependsOn":"b"}]}`, "'dependsOn' must be an array of request ids."},
		{"unknown dependency", `{"requests":[{"id":"a","method":"GET","url":"/me","dependsOn":["zz"]}]}`, "Request 'a' depends on 'zz', which is not in the batch."},
		{"self dependency", `{"requests":[{"id":"a","method":"GET","url":"/me","dependsOn":["A"]}]}`, "Request 'a' depends on itself."},
		{"cycle", `{"requests":[
			{"id":"a","method":"GET","url":"/me","dependsOn":["c"]},
			{"id":"b","method":"GET","url":"/me","dependsOn":["a"]},
			{"id":"c","method":"GET","url":"/me","dependsOn":["b"]}]}`, "form a cycle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.body))
			var be *Error
			if !errors.As(err, &be) {
				t.Fatalf("Parse error = %v, want *Error", err)
			}
			if be.Status != 400 || be.Code != "BadRequest" || !strings.Contains(be.Message, tc.want) {
				t.Fatalf("got %d %s %q, want 400 BadRequest containing %q", be.Status, be.Code, be.Message, tc.want)
			}
		})
	}
	if _, err := Parse(strings.NewReader(reqs(20))); err != nil {
		t.Errorf("20 requests rejected: %v", err)
	}
	if b, err := Parse(strings.NewReader(`{"requests":[]}`)); err != nil || len(b.Requests) != 0 {
		t.Errorf("empty batch: %v, %v", b, err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestParseReaderError(t *testing.T) {
	_, err := Parse(failingReader{})
	var be *Error
	if err == nil || errors.As(err, &be) {
		t.Fatalf("Parse error = %v, want the reader's error, not a 400", err)
	}
}
