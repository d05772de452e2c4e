package m365sim

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"

	"github.com/safeguard365/safeguard365/internal/m365sim/batch"
)

// outlookBatchFanOut is how many sub-requests of one batch Graph sends to
// Outlook at a time.
// https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits
const outlookBatchFanOut = 4

// serveBatch executes a JSON batch: each sub-request goes through the same
// pipeline as a direct request (faults, authentication, throttling), so a
// throttled sub-request answers 429 with its own Retry-After while the batch
// itself answers 200.
// https://learn.microsoft.com/en-us/graph/json-batching
func (s *Server) serveBatch(w http.ResponseWriter, r *http.Request) {
	// A guard against unbounded bodies; Graph documents no size limit.
	callOf(r).endpoint = "POST /$batch"
	b, err := batch.Parse(http.MaxBytesReader(w, r.Body, 4<<20))
	if err != nil {
		var be *batch.Error
		if errors.As(err, &be) {
			graphError(w, r, be.Status, be.Code, be.Message)
		} else {
			badRequest(w, r, "BadRequest", "Invalid batch payload format. "+err.Error())
		}
		return
	}
	version := apiVersion(r)
	auth := r.Header.Get("Authorization")
	responses := b.Run(r.Context(), outlookBatchFanOut, func(ctx context.Context, sub *batch.Request) (resp batch.Response) {
		defer func() {
			// An injected connection reset or truncation cannot cut one
			// sub-response; the gateway reports it as a timeout instead.
			if recover() != nil {
				resp = batch.NewResponse(sub.ID, http.StatusGatewayTimeout, nil,
					[]byte(`{"error":{"code":"gatewayTimeout","message":"The backend did not answer in time."}}`))
			}
		}()
		body, _ := sub.BodyBytes()
		req, err := http.NewRequestWithContext(ctx, sub.Method, "/"+version+sub.Path(), bytes.NewReader(body))
		if err != nil {
			return batch.NewResponse(sub.ID, http.StatusBadRequest, nil, []byte(`{"error":{"code":"BadRequest","message":"Invalid request URL."}}`))
		}
		req.Host, req.TLS, req.RemoteAddr = r.Host, r.TLS, r.RemoteAddr
		for k, v := range sub.Headers {
			req.Header.Set(k, v)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		if req.URL.Path == "/"+version+"/$batch" {
			return batch.NewResponse(sub.ID, http.StatusBadRequest, nil, []byte(`{"error":{"code":"BadRequest","message":"A batch cannot contain a batch."}}`))
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return batch.NewResponse(sub.ID, rec.Code, rec.Header(), rec.Body.Bytes())
	})
	var buf bytes.Buffer
	if err := batch.WriteResponses(&buf, responses); err != nil {
		graphError(w, r, http.StatusInternalServerError, "generalException", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}
