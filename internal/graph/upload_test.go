package graph

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestFragmentSize(t *testing.T) {
	const k = 1 << 10
	for _, tc := range []struct{ req, limit, want int64 }{
		{0, maxDriveFragment, 10 << 20},
		{1, maxDriveFragment, 320 * k},
		{700 * k, maxDriveFragment, 640 * k},
		{100 << 20, maxDriveFragment, 60<<20 - 320*k},
		{0, maxAttachmentFragment, 3840 * k},
	} {
		got := fragmentSize(tc.req, tc.limit)
		if got != tc.want || got%fragmentUnit != 0 || got >= 60<<20 {
			t.Errorf("fragmentSize(%d, %d) = %d, want %d", tc.req, tc.limit, got, tc.want)
		}
	}
}

func TestNextOffset(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want int64
		ok   bool
	}{
		{[]string{"0-"}, 0, true},
		{[]string{"26-"}, 26, true},
		{[]string{"12345-55232", "77829-99375"}, 12345, true},
		{[]string{"77829-99375", "12345-55232"}, 12345, true},
		{[]string{"2097152"}, 2097152, true}, // Outlook's form
		{[]string{" 5 - "}, 5, true},
		{nil, 0, false},
		{[]string{"x-"}, 0, false},
		{[]string{"-5"}, 0, false},
	} {
		got, ok := nextOffset(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("nextOffset(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzUploadSessionResponse(f *testing.F) {
	f.Add([]byte(`{"expirationDateTime":"2015-01-29T09:21:55.523Z","nextExpectedRanges":["12345-55232","77829-99375"]}`))
	f.Add([]byte(`{"@odata.context":"x","ExpirationDateTime":"2024-01-01T00:00:00Z","NextExpectedRanges":["2097152"]}`))
	f.Add([]byte(`{"uploadUrl":"https://up.test/x","nextExpectedRanges":["0-"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s UploadSession
		if err := jsonUnmarshal(data, &s); err != nil {
			return
		}
		if n, ok := nextOffset(s.NextExpectedRanges); ok && n < 0 {
			t.Fatalf("negative offset %d from %q", n, s.NextExpectedRanges)
		}
	})
}

func TestFragmentBuffer(t *testing.T) {
	const unit = fragmentUnit
	data := make([]byte, 5*unit+100)
	_, _ = rand.Read(data)

	b := fragmentBuffer{r: bytes.NewBuffer(data), data: make([]byte, 0, 2*unit), size: int64(len(data))}
	chunk, err := b.at(0)
	if err != nil || len(chunk) != 2*unit || !bytes.Equal(chunk, data[:2*unit]) {
		t.Fatalf("first chunk: %d bytes, %v", len(chunk), err)
	}
	// The server kept only part of it: resume mid-buffer. The chunk is
	// refilled to a whole fragment, never a ragged multiple.
	chunk, err = b.at(unit + 7)
	if err != nil || len(chunk) != 2*unit || !bytes.Equal(chunk, data[unit+7:3*unit+7]) {
		t.Fatalf("resumed chunk: %d bytes, %v", len(chunk), err)
	}
	// The server jumps ahead past the buffer: bytes are skipped.
	chunk, err = b.at(4 * unit)
	if err != nil || !bytes.Equal(chunk, data[4*unit:]) {
		t.Fatalf("last chunk: %d bytes, %v", len(chunk), err)
	}
	// Going back before the buffer needs a seekable source.
	if _, err := b.at(0); !errors.Is(err, errRewind) {
		t.Fatalf("rewind on a plain reader: %v", err)
	}
	s := fragmentBuffer{r: bytes.NewReader(data), data: make([]byte, 0, 2*unit), size: int64(len(data))}
	_, _ = s.at(4 * unit)
	chunk, err = s.at(unit)
	if err != nil || !bytes.Equal(chunk, data[unit:3*unit]) {
		t.Fatalf("rewind on a seeker: %d bytes, %v", len(chunk), err)
	}
	// A source shorter than promised is an error, not a short upload.
	short := fragmentBuffer{r: bytes.NewReader(data[:unit]), data: make([]byte, 0, 2*unit), size: int64(len(data))}
	if _, err := short.at(0); err == nil || !strings.Contains(err.Error(), "ended") {
		t.Fatalf("short source: %v", err)
	}
}

// sessionServer is a drive upload session that enforces the documented
// fragment rules and can drop a connection after storing a fragment.
type sessionServer struct {
	t        *testing.T
	mu       sync.Mutex
	size     int64
	got      bytes.Buffer
	frags    []int64
	auths    []string
	statuses int
	cancels  int
	dropOnce map[int]bool // fragment numbers whose response is lost
	final    int          // status of the last fragment: 201 or 409
	puts     int
}

func (s *sessionServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	base := "http://" + r.Host
	switch {
	case r.Method == "POST" && strings.HasSuffix(r.URL.Path, ":/createUploadSession"):
		writeJSON(w, 200, `{"uploadUrl":"`+base+`/up/sess-1?tempauth=UPLOADSECRET","expirationDateTime":"2030-01-01T00:00:00Z","nextExpectedRanges":["0-"]}`)
	case strings.HasPrefix(r.URL.Path, "/up/"):
		s.auths = append(s.auths, r.Header.Get("Authorization"))
		switch r.Method {
		case "GET":
			s.statuses++
			writeJSON(w, 200, fmt.Sprintf(`{"expirationDateTime":"2030-01-01T00:00:00Z","nextExpectedRanges":["%d-"]}`, s.got.Len()))
		case "DELETE":
			s.cancels++
			w.WriteHeader(204)
		case "PUT":
			s.put(w, r)
		}
	default:
		graphError(w, 404, "itemNotFound", r.URL.Path)
	}
}

func (s *sessionServer) put(w http.ResponseWriter, r *http.Request) {
	s.puts++
	first, last, total, ok := parseContentRange(r.Header.Get("Content-Range"))
	body, _ := io.ReadAll(r.Body)
	if !ok || total != s.size || int64(len(body)) != last-first+1 || r.ContentLength != int64(len(body)) {
		graphError(w, 400, "invalidRequest", "bad Content-Range "+r.Header.Get("Content-Range"))
		return
	}
	if first < int64(s.got.Len()) {
		graphError(w, 416, "invalidRange", "fragmentOverlap")
		return
	}
	if first > int64(s.got.Len()) {
		graphError(w, 400, "invalidRequest", "fragmentOutOfOrder")
		return
	}
	if last+1 < s.size && len(body)%fragmentUnit != 0 {
		graphError(w, 400, "invalidRequest", "fragmentLengthMismatch")
		return
	}
	s.got.Write(body)
	s.frags = append(s.frags, int64(len(body)))
	if s.dropOnce[len(s.frags)] {
		delete(s.dropOnce, len(s.frags))
		dropConnection(s.t, w) // stored, but the client never hears so
		return
	}
	if last+1 < s.size {
		writeJSON(w, 202, fmt.Sprintf(`{"expirationDateTime":"2030-01-01T00:00:00Z","nextExpectedRanges":["%d-"]}`, last+1))
		return
	}
	if s.final == 409 {
		graphError(w, 409, "nameAlreadyExists", "name conflict")
		return
	}
	writeJSON(w, 201, fmt.Sprintf(`{"id":"new-item","name":"big.bin","size":%d,"file":{"mimeType":"application/octet-stream"}}`, s.size))
}

func TestUploadLarge(t *testing.T) {
	data := make([]byte, 7*fragmentUnit+12345)
	_, _ = rand.Read(data)
	srv := &sessionServer{t: t, size: int64(len(data)), dropOnce: map[int]bool{2: true}}
	c, _, logs := testClient(t, srv, Options{UploadFragmentSize: 2*fragmentUnit + 1000})
	// A plain reader (not a Seeker): memory stays at one fragment.
	it, err := c.UploadLarge(t.Context(), "d1", "root", "big.bin", io.MultiReader(bytes.NewReader(data)), int64(len(data)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if it.ID != "new-item" || it.Size != int64(len(data)) || it.Raw == nil {
		t.Errorf("item = %+v", it)
	}
	if !bytes.Equal(srv.got.Bytes(), data) {
		t.Fatal("uploaded bytes differ")
	}
	for i, n := range srv.frags[:len(srv.frags)-1] {
		if n%fragmentUnit != 0 || n > 2*fragmentUnit {
			t.Errorf("fragment %d is %d bytes, not a multiple of 320 KiB within the configured size", i, n)
		}
	}
	for _, a := range srv.auths {
		if a != "" {
			t.Fatalf("upload URL received Authorization %q", a)
		}
	}
	if srv.statuses != 1 {
		t.Errorf("session status asked %d times, want once (after the 416 for the stored fragment)", srv.statuses)
	}
	if strings.Contains(logs.String(), "UPLOADSECRET") {
		t.Error("upload URL credential logged")
	}
}

func TestUploadLargeConflictCancels(t *testing.T) {
	data := make([]byte, fragmentUnit+1)
	srv := &sessionServer{t: t, size: int64(len(data)), final: 409}
	c, _, _ := testClient(t, srv, Options{UploadFragmentSize: fragmentUnit})
	_, err := c.UploadLarge(t.Context(), "d1", "root", "big.bin", bytes.NewReader(data), int64(len(data)), nil)
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	if strings.Contains(err.Error(), "UPLOADSECRET") || strings.Contains(err.Error(), "sess-1") {
		t.Errorf("error shows the upload URL: %v", err)
	}
	if srv.cancels != 1 {
		t.Errorf("session cancelled %d times, want 1", srv.cancels)
	}
}

func TestUploadAttachmentSession(t *testing.T) {
	data := make([]byte, 5<<20)
	_, _ = rand.Read(data)
	var mu sync.Mutex
	var got bytes.Buffer
	var sizes []int
	var createBody string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Method == "POST" {
			b, _ := io.ReadAll(r.Body)
			createBody = string(b)
			writeJSON(w, 201, `{"uploadUrl":"http://`+r.Host+`/api/v2.0/Users('u')/Messages('m')/AttachmentSessions('s')?authtoken=X","nextExpectedRanges":["0-"]}`)
			return
		}
		if r.Header.Get("Authorization") != "" {
			t.Error("Authorization sent to the attachment session")
		}
		b, _ := io.ReadAll(r.Body)
		got.Write(b)
		sizes = append(sizes, len(b))
		if got.Len() < len(data) {
			// Outlook answers intermediate fragments with 200, PascalCase, bare offset.
			writeJSON(w, 200, fmt.Sprintf(`{"ExpirationDateTime":"2030-01-01T00:00:00Z","NextExpectedRanges":["%d"]}`, got.Len()))
			return
		}
		w.Header().Set("Location", `https://outlook.office.com/api/v2.0/Users('u')/Messages('m')/Attachments('AAMkATT%3D')`)
		w.WriteHeader(201)
	})
	c, _, _ := testClient(t, h, Options{})
	id, err := c.UploadAttachment(t.Context(), "u1", "m1", AttachmentUpload{Name: "big.pdf", ContentType: "application/pdf"}, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if id != "AAMkATT=" {
		t.Errorf("attachment id = %q", id)
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Error("attachment bytes differ")
	}
	for _, n := range sizes {
		if n > 4<<20 {
			t.Errorf("fragment of %d bytes, over Outlook's 4 MB", n)
		}
	}
	if !strings.Contains(createBody, `"AttachmentItem"`) || !strings.Contains(createBody, `"size":5242880`) {
		t.Errorf("create body = %s", createBody)
	}
}

func TestUploadSmall(t *testing.T) {
	var gotPath, gotQuery string
	var body []byte
	tries := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tries++
		gotPath, gotQuery = r.URL.EscapedPath(), r.URL.RawQuery
		body, _ = io.ReadAll(r.Body)
		if tries == 1 {
			w.Header().Set("Retry-After", "0")
			graphError(w, 503, "serviceNotAvailable", "")
			return
		}
		writeJSON(w, 201, `{"id":"i1","name":"a b.txt"}`)
	})
	c, _, _ := testClient(t, h, Options{})
	src := strings.NewReader("prefix|hello world|suffix")
	_, _ = src.Seek(7, io.SeekStart) // the caller's reader is not at 0
	it, err := c.UploadSmall(t.Context(), "d1", "root", "a b.txt", src, 11, &UploadOptions{ConflictBehavior: ConflictReplace})
	if err != nil {
		t.Fatal(err)
	}
	if it.ID != "i1" || string(body) != "hello world" || tries != 2 {
		t.Errorf("item %+v, body %q after %d tries: the retry must resend the same 11 bytes", it, body, tries)
	}
	if gotPath != "/v1.0/drives/d1/items/root:/a%20b.txt:/content" || gotQuery != "@microsoft.graph.conflictBehavior=replace" {
		t.Errorf("PUT %s?%s", gotPath, gotQuery)
	}
	if _, err := c.UploadSmall(t.Context(), "d1", "root", "x", src, 300<<20, nil); err == nil {
		t.Error("a 300 MB single PUT was accepted")
	}
}
