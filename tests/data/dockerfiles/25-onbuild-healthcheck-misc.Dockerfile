FROM eclipse-temurin:21-jre
LABEL org.opencontainers.image.source="https://github.com/example/app"
WORKDIR /app
COPY target/app.jar app.jar
HEALTHCHECK --interval=30s CMD curl -f http://localhost:8080/health || exit 1
ONBUILD RUN echo never
VOLUME /data
RUN groupadd -r app && useradd -r -g app app
USER app:app
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
# expect: base-image 1 medium "eclipse-temurin:21-jre"
# expect: entrypoint 10 low "runs java (exec form), found through PATH"
# expect: privilege 9 info "USER app:app"
# expect: entrypoint 5 low "HEALTHCHECK runs curl -f http://localhost:8080/health"
# expect: code 6 medium "ONBUILD RUN echo never: runs in every image built FROM this one"
# expect-count: 5
# expect-ids: VR102-f1b0833a11 VR402-557f43f567 VR704-dcf8cc4f32 VR501-09ba515fd4 VR401-4b31ebd55d
