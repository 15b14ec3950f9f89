# -*- encoding: utf-8 -*-
# stub: stub-only 2.0 ruby lib

Gem::Specification.new do |s|
  s.licenses = %w[Apache-2.0 BSD-2-Clause]
end
