module github.com/lfm2go/lfm2

go 1.26
