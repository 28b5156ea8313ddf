module leakgen

go 1.19
