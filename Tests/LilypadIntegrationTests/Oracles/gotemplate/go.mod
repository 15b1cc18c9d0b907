module lilypadoracle/gotemplate

go 1.23
