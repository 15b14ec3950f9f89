1631209040000000000 33 100 apache2 100 accept4 > flags=0
1631209040000001000 33 100 apache2 100 accept4 < fd=9(<4t>172.17.0.1:54321->172.17.0.2:80) tuple=172.17.0.1:54321->172.17.0.2:80 queuepct=0 queuelen=0 queuemax=511
1631209040000002000 33 100 apache2 100 read > fd=9(<4t>172.17.0.1:54321->172.17.0.2:80) size=8000
1631209040000003000 33 100 apache2 100 read < res=120 data=R0VUIC8gSFRUUC8xLjENCg==
1631209040000004000 33 100 apache2 100 open > name=/var/www/html/index.html flags=4097(O_RDONLY|O_CLOEXEC) mode=0
1631209040000005000 33 100 apache2 100 open < fd=10(<f>/var/www/html/index.html) name=/var/www/html/index.html flags=4097(O_RDONLY|O_CLOEXEC) mode=0 dev=200021
1631209040000006000 33 100 apache2 100 switch > next=0 pgft_maj=0 pgft_min=0 vm_size=0 vm_rss=0 vm_swap=0
1631209040000007000 33 100 apache2 100 fstat > fd=10(<f>/var/www/html/index.html)
1631209040000008000 33 100 apache2 100 fstat < res=0
1631209040000009000 33 100 apache2 100 writev > fd=9(<4t>172.17.0.1:54321->172.17.0.2:80) size=612
1631209040000010000 33 100 apache2 100 writev < res=612 data=SFRUUC8xLjEgMjAwIE9L
1631209040000011000 33 100 apache2 100 close > fd=10(<f>/var/www/html/index.html)
1631209040000012000 33 100 apache2 100 close < res=0
1631209040000013000 0 1 apache2 1 listen > fd=3(<4t>0.0.0.0:80) backlog=511
1631209040000014000 0 1 apache2 1 listen < res=0
1631209040000015000 33 100 apache2 100 close > fd=9(<4t>172.17.0.1:54321->172.17.0.2:80)
1631209040000016000 33 100 apache2 100 close < res=0
