# synthetic secret (random characters, not a real credential)

dotnet nuget push x.nupkg -k oy2fj8x304pc3odgilwvmbmiwfn7t1pdxh4ev0ovqtblhq

end of file
