# synthetic secret (random characters, not a real credential)

define( 'DB_PASSWORD', 'rvnc8PRAJGGRsjR0' );

end of file
