FROM ruby:3.3
RUN gem install bundler -v 2.5.6 && gem install rails
RUN bundle install --jobs 4
COPY bin/start.sh /app/start.sh
CMD ["sh", "-c", "/app/start.sh"]
# expect: base-image 1 medium "ruby:3.3"
# expect: package-install 2 low "gem installs bundler"
# expect: package-install 2 medium "gem installs rails; not pinned"
# expect: entrypoint 5 medium "runs /app/start.sh (exec form), written by the COPY at line 4"
# expect: privilege 0 medium "no USER"
# expect-count: 5
# expect-ids: VR102-0796470ba3 VR201-f9ed848889 VR201-177c1ee0f3 VR401-88829aa777 VR503-518b203e19
