module lilypadoracle/gojson

go 1.23
