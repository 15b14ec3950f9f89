1631209050000000000 33 100 apache2 100 read > fd=9(<4t>172.17.0.9:40000->172.17.0.2:80) size=8000
1631209050000001000 33 100 apache2 100 read < res=300 data=R0VUIC8/Y21kPWlk
1631209050000002000 33 100 apache2 100 open > name=/var/www/html/index.html flags=4097(O_RDONLY|O_CLOEXEC) mode=0
1631209050000003000 33 100 apache2 100 open < fd=10(<f>/var/www/html/index.html) name=/var/www/html/index.html flags=4097(O_RDONLY|O_CLOEXEC) mode=0 dev=200021
1631209051000000000 33 100 apache2 100 clone > 
1631209051000001000 33 100 apache2 100 clone < res=0 exe=/usr/sbin/apache2 args= tid=200(apache2) pid=200(apache2) ptid=100(apache2) cwd= fdlimit=1024 comm=apache2
1631209051000002000 33 200 apache2 200 execve > filename=/bin/sh
1631209051000003000 33 200 sh 200 execve < res=0 exe=/bin/sh args=LWMAaWQA tid=200(sh) pid=200(sh) ptid=100(apache2) cwd= fdlimit=1024 comm=sh
1631209051000004000 33 200 sh 200 open > name=/etc/shadow flags=1(O_RDONLY) mode=0
1631209051000005000 33 200 sh 200 open < fd=-13(EACCES) name=/etc/shadow flags=1(O_RDONLY) mode=0 dev=0
1631209051000006000 0 200 sh 200 open > name=/etc/shadow flags=1(O_RDONLY) mode=0
1631209051000007000 0 200 sh 200 open < fd=3(<f>/etc/shadow) name=/etc/shadow flags=1(O_RDONLY) mode=0 dev=200021
1631209051000008000 0 200 sh 200 openat > dirfd=-100(AT_FDCWD) name=x.sh flags=578(O_TRUNC|O_CREAT|O_WRONLY) mode=0644
1631209051000009000 0 200 sh 200 openat < fd=4(<f>/tmp/x.sh) dirfd=-100(AT_FDCWD) name=x.sh(/tmp/x.sh) flags=578(O_TRUNC|O_CREAT|O_WRONLY) mode=0644 dev=200021
1631209051000010000 0 200 sh 200 connect > fd=5(<4t>0.0.0.0:0)
1631209051000011000 0 200 sh 200 connect < res=-115(EINPROGRESS) tuple=172.17.0.2:41000->10.0.0.7:4444
1631209051000012000 0 200 sh 200 unlinkat > dirfd=-100(AT_FDCWD)
1631209051000013000 0 200 sh 200 unlinkat < res=0 dirfd=-100(AT_FDCWD) name=/tmp/x.sh flags=0
