# -*- encoding: utf-8 -*-
# stub: nokogiri 1.13.10 x86_64-linux lib

Gem::Specification.new do |spec|
  spec.name = %q{nokogiri}
  spec.version = Gem::Version.new("1.13.10")
  spec.platform = "x86_64-linux".freeze
  spec.license = 'MIT'
  spec.summary = "Nokogiri (鋸) makes it easy and painless to work with XML and HTML from Ruby."
end
