FROM node:20-alpine
WORKDIR /usr/src/app
COPY package*.json ./
RUN npm ci --omit=dev
RUN npm install -g pm2
COPY . .
EXPOSE 3000
USER node
CMD ["pm2-runtime", "server.js"]
# expect: base-image 1 medium "node:20-alpine: tag only"
# expect: package-install 5 medium "npm installs pm2; not pinned to a version: pm2"
# expect: entrypoint 9 low "runs pm2-runtime"
# expect: privilege 8 info "USER node"
# expect-count: 4
# expect-ids: VR102-d7091f3f5c VR201-dec082376c VR501-06bc4d9b30 VR401-3b978f324e
