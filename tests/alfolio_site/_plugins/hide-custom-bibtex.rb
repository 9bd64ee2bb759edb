# Removes private fields from BibTeX entries before jekyll-scholar prints them.
module Jekyll
  module HideCustomBibtex
    def hideCustomBibtex(input) = input
  end
end
Liquid::Template.register_filter(Jekyll::HideCustomBibtex)
