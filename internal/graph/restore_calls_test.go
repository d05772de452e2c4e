package graph

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDriveItemUpdateJSON(t *testing.T) {
	ts := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		u    DriveItemUpdate
		want string
	}{
		{DriveItemUpdate{}, `{}`},
		{DriveItemUpdate{Name: "a.txt", ParentID: "P1"}, `{"name":"a.txt","parentReference":{"id":"P1"}}`},
		{DriveItemUpdate{FileSystemInfo: &FileSystemInfo{LastModifiedDateTime: ts}}, `{"fileSystemInfo":{"lastModifiedDateTime":"2024-03-04T10:00:00Z"}}`},
	} {
		b, err := json.Marshal(tc.u)
		if err != nil || string(b) != tc.want {
			t.Errorf("%+v: %s %v, want %s", tc.u, b, err, tc.want)
		}
	}
}

func TestDrivePath(t *testing.T) {
	if got, want := drivePath("/Docs/a b/#1%.txt/"), "Docs/a%20b/%231%25.txt"; got != want {
		t.Errorf("drivePath = %q, want %q", got, want)
	}
}
